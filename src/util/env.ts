/** The process environment as passed in by the CLI layer; the library never reads process.env itself. */
export type Env = Readonly<Record<string, string | undefined>>;
