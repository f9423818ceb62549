"""SP4N-LAPOR (lapor.go.id): reports the national complaint system forwards to the office."""
