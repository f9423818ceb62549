"""The JSON API under /api/v1 (DESIGN.md section 6), scoped to the token user's offices."""
