/* The C target needs one source file; everything is inline in the header. */
