//! Unit tests of the analysers as a whole: negation, hedging, time frames, odd input.
