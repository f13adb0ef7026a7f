// The API's page sizes, part of its contract like the schema: `first` defaults to 20 and may be
// at most 100. Top level because two layers need them and neither should reach into the other:
// the data engine reads pages of this size (data/dynamo/pagination.ts) and the query limits
// charge an operation for them before it runs (graphql/limits/reads.ts).
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
