"""Gift Aid: declarations and their wording, the address rules, and what money carries."""
