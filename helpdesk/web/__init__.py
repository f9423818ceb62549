"""HTTP plumbing shared by the API, the webhooks and the inbox: dependencies and errors."""
