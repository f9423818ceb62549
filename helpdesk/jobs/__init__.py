"""Background jobs: the same job functions run on arq (Redis) or in-process (embedded)."""
