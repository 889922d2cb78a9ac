"""dlp: a command-line client for the platform's public HTTP API (/api/v1/).

It imports neither Django nor the platform: a learner's machine needs only httpx and
pyyaml, and every command goes through the same documented endpoints as any API client.
"""

__version__ = "0.1.0"
