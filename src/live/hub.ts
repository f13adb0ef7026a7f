// One per process: listens to the bus once, turns each entry into events once, and hands each
// event to the feeds subscribed to its topic. Feeds resume through the bus's replay.
import { toEntityChange } from '../data/changes.js';
import type { Logger } from '../log.js';
import { live as metrics } from '../observe/metrics.js';
import type { Bus, BusEntry } from './bus.js';
import { deriveEvents, type LiveEvent } from './events.js';
import { Feed, type Delivery } from './feed.js';

export interface HubOptions {
  bus: Bus;
  logger: Logger;
  /** Events a feed may hold for a slow reader before it is told to resync. */
  queueLimit: number;
}

export interface Hub {
  /** Where "from now" is, taken when a subscribe message arrives so nothing after it is missed. */
  head(): string;
  /** A feed of the topic's events after `after` (a bus position and the index of the event within its entry). */
  open(topic: string, after: { position: string; index: number }): Promise<Feed>;
  feeds(): number;
  close(): void;
}

const derived = new WeakMap<BusEntry, LiveEvent[]>();

export function createHub({ bus, logger, queueLimit }: HubOptions): Hub {
  const byTopic = new Map<string, Set<Feed>>();
  let count = 0;

  const eventsOf = (entry: BusEntry): LiveEvent[] => {
    let events = derived.get(entry);
    if (!events) {
      try {
        const r = entry.record;
        const change = toEntityChange(r.keys, r.oldImage, r.newImage);
        events = change ? deriveEvents(change) : [];
      } catch (err) {
        logger.warn('stream record skipped: not an item we can read', { key: entry.record.keys, error: String(err) });
        events = [];
      }
      derived.set(entry, events);
    }
    return events;
  };

  const deliveries = (entry: BusEntry, topic: string): Delivery[] =>
    eventsOf(entry).flatMap((event, index) => (event.topic === topic ? [{ position: entry.position, index, event, entry }] : []));

  const stopListening = bus.listen(
    (entry) => {
      eventsOf(entry).forEach((event, index) => {
        const feeds = byTopic.get(event.topic);
        if (!feeds) return;
        for (const feed of feeds) feed.push({ position: entry.position, index, event, entry });
        metrics.delivered(kindOf(event.topic), feeds.size);
      });
    },
    (reason) => {
      logger.warn('live events lost: every subscriber resyncs', { reason });
      metrics.resynced('gap');
      for (const set of byTopic.values()) for (const feed of set) feed.resync(bus.head());
    },
  );

  return {
    head: () => bus.head(),
    async open(topic, after) {
      const kind = kindOf(topic);
      const detach = () => {
        const set = byTopic.get(topic);
        set?.delete(feed);
        if (set?.size === 0) byTopic.delete(topic);
        count--;
        metrics.unsubscribed(kind);
      };
      const feed = new Feed(queueLimit, detach, () => {
        metrics.dropped(kind, 'slow-reader');
        metrics.resynced('slow-reader');
      });
      count++;
      metrics.subscribed(kind);
      // Listen first, then replay: whatever arrives while the replay is read is held, and the
      // feed drops what the replay already gave, so nothing is missed and nothing is doubled.
      feed.hold();
      let set = byTopic.get(topic);
      if (!set) byTopic.set(topic, (set = new Set()));
      set.add(feed);
      const replayed = await bus.replay(after.position);
      if (replayed === null) {
        metrics.resynced('replay-unavailable');
        feed.release([], bus.head(), (a, b) => bus.isAfter(a, b), true);
        return feed;
      }
      const missed = replayed.flatMap((entry) => deliveries(entry, topic));
      const fromCursor = missed.filter((d) => d.position !== after.position || d.index > after.index);
      feed.release(fromCursor, after.position, (a, b) => bus.isAfter(a, b), false);
      return feed;
    },
    feeds: () => count,
    close() {
      stopListening();
      for (const set of byTopic.values()) for (const feed of set) void feed.return();
      byTopic.clear();
    },
  };
}

/** A topic's kind (game, open-games, followers, reactions, photos): a bounded metric label. */
const kindOf = (topic: string) => topic.split(':', 1)[0]!;
