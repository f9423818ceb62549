"""The email channel: an office mailbox read over IMAP, replies sent by SMTP."""
