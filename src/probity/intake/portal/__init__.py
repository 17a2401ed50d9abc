"""The public complaint portal under /report/: no sign-in, English and Spanish."""
