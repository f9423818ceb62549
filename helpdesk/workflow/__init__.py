"""The SOP workflow engine: profiles (data files), the office calendar, actions, deadlines."""
