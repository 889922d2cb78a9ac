"""Reading numbers from query strings and headers, strictly."""


def is_non_negative_int(text: str) -> bool:
    """Only ASCII digits: str.isdigit() also accepts characters such as '²', on which int()
    then fails (a 500 where a 400 was meant)."""
    return text.isascii() and text.isdigit()
