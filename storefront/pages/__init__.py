"""Site pages every shopper may read: help, buyer protection, returns, contact, privacy, terms; the brand
(shop name, logo, favicon, web app manifest) and the buyer-protection facts shown next to prices."""
