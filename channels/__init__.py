"""Channel adapters, one subpackage per platform; `channels.registry` lists them.

The registry lives in its own module so that importing the interface (`channels.base`) never
loads every platform SDK.
"""
