"""The simulator's background task set now lives in `channels.meta.simulator.tasks`."""

from channels.meta.simulator.tasks import TaskSet

__all__ = ["TaskSet"]
