"""The Graph API simulator core every Meta product plugs into (see `graph`)."""
