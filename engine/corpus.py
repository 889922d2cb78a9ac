"""The text corpus of the character-level lessons, written for them: a few pages on
learning, in plain words.

Kept as a Python string rather than a data file, so that it ships with the package
however it is installed. Pure Python, so that the web process can size the text dataset
when validating a config.
"""

import functools
import re

from engine.catalog import TEXT_ALPHABET

CORPUS = """\
On learning, written for the character-level lessons of Deep Learning Lessons.

Learning is the slow art of being wrong a little less each time. A child who learns to walk
falls many times, and each fall teaches the legs something the mind could not explain. A
student who learns to read first sees letters, then words, then whole ideas that seem to
jump off the page. Nobody remembers the moment the letters became words. The change was
gradual, and it happened because the student kept reading.

A machine learns in much the same way. It makes a guess, it measures how wrong the guess
was, and it changes itself a little so that the next guess is better. The measure of how
wrong it was is called the loss. The small change is called a step. Many small steps, taken
in the direction that makes the loss smaller, add up to a model that has learned something
real about the world. This is gradient descent, and it is the heart of deep learning.

The size of each step matters. If the steps are too small, learning takes forever, and the
model seems to stand still. If the steps are too large, the model jumps past the answer,
back and forth, and the loss grows instead of shrinking. A good learning rate is large
enough to make progress and small enough to stay stable. Finding it is part science and
part patience.

Practice matters more than talent. A person who practices a little every day will, after a
year, know far more than a person who studied for a week and then stopped. The same is true
of a network. One pass over the data is rarely enough. The network must see the examples
again and again, each time adjusting its weights, until the patterns settle into place.
Each pass over the data is called an epoch.

But practice alone is not enough. A student who memorizes the answers to last year's exam
may score well on last year's exam and fail this year's. Memorizing is not understanding.
A network can memorize too. When it does, its loss on the training data keeps falling
while its loss on new data starts to rise. This is overfitting, and it is the most common
way for a model to fool its maker. To see it, we hold back some data that the model never
trains on, and we watch how the model does on it. That held back data is the validation
set, and it tells us the truth when the training loss would flatter us.

There are many ways to keep a model honest. We can give it less freedom, with fewer
weights. We can punish large weights, so that the model prefers simple explanations. We can
switch off random units while it trains, so that no single unit can carry the whole answer.
We can stop training when the validation loss stops improving. Each of these ideas trades
a little fit on the training data for a better fit on the data that matters, the data we
have not seen yet.

Good teachers know that the order of lessons matters. First the simple ideas, then the
harder ones that build on them. A network has its own order. The first layers learn simple
features, such as edges and spots in an image. The later layers combine them into parts,
and the last layers combine the parts into whole objects. Nobody tells the network to do
this. It discovers the order because the order works.

Mistakes are not the enemy of learning. They are its fuel. Every wrong answer carries
information about how to be right. A model that never makes mistakes during training has
nothing left to learn, and a student who is never wrong is not being asked hard enough
questions. The trick is to make mistakes that are cheap, and to learn from each one.

Curiosity is the engine of every learner. A curious student asks why, tries the problem a
different way, and notices when something does not fit. We can not give a machine real
curiosity, but we can give it a rich world of examples, and a clear signal of what it got
wrong. The rest is repetition, patience and time.

When you train a model in these lessons, watch the curves. The training loss falls first,
quickly, then more slowly. The validation loss follows, and at some point it may turn
around and climb. Watch the accuracy rise, step by step, epoch by epoch. Change one thing
at a time, and ask what changed and why. That is how a scientist learns, and it is how you
will learn to train models that work.

Learning never really ends. Each answer opens new questions, and each skill makes the next
one easier to learn. The expert is only a beginner who kept going, who failed more times
than the beginner has even tried, and who learned a little from every one of those
failures. So begin, make mistakes, measure them, and take the next small step.
"""


@functools.lru_cache(maxsize=1)
def corpus_text() -> str:
    """The corpus lowercased, with line breaks and dashes as spaces and only TEXT_ALPHABET
    left."""
    text = CORPUS.lower().replace("-", " ")
    text = re.sub(r"\s+", " ", text)
    return "".join(char for char in text if char in TEXT_ALPHABET).strip()
