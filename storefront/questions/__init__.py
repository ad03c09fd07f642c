"""Questions before buying: shoppers ask about a listing, its seller answers, answers show on the product page."""
