"""An Instagram professional account: Direct messages and comments on its media."""
