"""A Facebook Page: Messenger conversations and comments on the page's posts."""
