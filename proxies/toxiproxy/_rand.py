"""The proxy's one random source (toxicity draws, jitter, slicing); `-seed` seeds it."""

import random

rng = random.Random()
