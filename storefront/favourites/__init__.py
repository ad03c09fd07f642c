"""A shopper's ways back to what they liked: favourites (with price drops and restocks since saving) and
recently viewed products; guests keep both in the session, members in the database, merged at login."""
