// Read-ahead: a list's first items read in the same call as the list's parent, handed to the
// list's own resolver so it does not read them again.
//
// DynamoDB keeps a parent and its children in one partition, sorted, so one Query can return both:
// a game with its players (games/game-reads.ts viewGame), a user with the first page of its followers
// or of its photos (users/profile.ts, chosen by resolvers/profile.ts from the selection).
// A write can know a list outright too: a game just created has only its creator (createGame).
// GraphQL resolves the parent first and the list later, in another resolver; between them the head
// of the list waits here, in the request's ReadAhead (Loaders.readAhead), under the list's binding.
//
// The list's resolver calls take(binding, args) before reading. It gets a page only when no
// `after` is given and the head decides the page exactly: it holds more items than `first` (so
// hasNextPage is true), or the read reached the list's end. Otherwise it reads the list itself,
// with the same binding, so cursors from either path continue each other.
//
// A list that cannot come inside its parent's read (a later page, a list on another index) is
// started instead: the parent's resolver, seeing the list in its selection, begins the list's page
// read beside its own read (start), and the list's resolver takes that page, read or still in
// flight, rather than waiting for its parent before reading. One wave instead of two.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from './batch.js';
import type { CursorKeys, ListBinding } from './cursor.js';
import { pageOf, pageSize, type Page, type PageArgs } from './pagination.js';

/** The first items of a list, in the list's order, as a parent's read brought them. */
export interface ListHead {
  binding: ListBinding;
  /** The list's own Query, whose key attributes its cursors hold. */
  input: QueryCommandInput;
  cursorKeys: CursorKeys;
  items: Item[];
  /** The read saw the list's last item: no item follows `items`. */
  ended: boolean;
  /** The by-key reads of the related items of the first `first` items, begun as they arrived (users/profile.ts). */
  related?: { first: number; items: Promise<readonly (Item | null | Error)[]> };
}

/** The heads read so far in one request, by list. Made per request in createLoaders(). */
export class ReadAhead {
  private readonly heads = new Map<ListBinding, ListHead>();
  private readonly started = new Map<string, Promise<Page>>();

  put(head: ListHead): void {
    this.heads.set(head.binding, head);
  }

  /** Begins reading a page of a list now, for the list's resolver to take with the same arguments. */
  start(binding: ListBinding, args: PageArgs, read: () => Promise<Page>): void {
    const id = startedId(binding, args);
    if (this.started.has(id)) return;
    const page = read();
    // The resolver that takes the page sees its failure; when none comes (the parent turned out
    // missing), the failure is nobody's and must not surface as an unhandled rejection.
    page.catch(() => undefined);
    this.started.set(id, page);
  }

  /** The page a list's resolver asked for: started for it, or decided exactly by a head read earlier in the request. */
  take(binding: ListBinding, args: PageArgs): Page | Promise<Page> | undefined {
    const started = this.started.get(startedId(binding, args));
    if (started) return started;
    const head = this.heads.get(binding);
    if (!head || args.after) return undefined;
    const first = pageSize(args.first);
    if (head.items.length <= first && !head.ended) return undefined;
    const page = pageOf({ input: head.input, args: { first }, cursorKeys: head.cursorKeys, binding }, head.items);
    return head.related?.first === first ? { ...page, related: head.related.items } : page;
  }
}

/** A started page's identity: its list and the arguments that choose the page (null and absent alike). */
const startedId = (binding: ListBinding, args: PageArgs) => `${binding}\u0000${args.first ?? ''}\u0000${args.after ?? ''}`;
