// Construct ids from role and tier names.

/** `query` -> `Query`: a role or tier name as part of a construct id. */
export const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
