"""Personal data rights (GDPR, Brazil's LGPD): download everything about me, delete my account."""
