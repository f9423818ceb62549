from tests.channels.meta.social_fixtures import endpoints, meta_sim, relay, social_seed

__all__ = ["endpoints", "meta_sim", "relay", "social_seed"]
