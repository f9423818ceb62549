"""A ticket's consultation mirrored to a staff group on one of its office's channel accounts.

Platform-neutral: any channel whose adapter is a `channels.base.StaffGroupAdapter` will do.
- `outgoing`: opening a consultation queues its summary for the group (personal data masked);
  notes written in the inbox's consultation thread follow; all through the outbox.
- `incoming`: what the group writes back (`StaffPost`s) becomes notes in the thread, attributed
  to the inbox user linked to the sender; commands run through the workflow engine.
- `links`: the one-time codes that link a staff member's channel account to their inbox user.

Import the submodules; this package imports none of them (the outbox imports `outgoing`, and
`incoming` imports the workflow engine, which imports the outbox).
"""
