"""What WhatsApp, Facebook Page and Instagram share, as Meta products on one Graph API.

Webhook proof (`signature`), envelope walking (`envelope`), Graph calls through facebook-sdk
with Meta's errors mapped to the adapter's three kinds (`graph`), and the simulator core
(`simulator`). Nothing here knows one product's message shapes.
"""
