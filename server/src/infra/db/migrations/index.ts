import { Foundation1763900000000 } from "./1763900000000-Foundation";
import { Conversations1763910000000 } from "./1763910000000-Conversations";
import { ConversationService1763925000000 } from "./1763925000000-ConversationService";
import { Water1763950000000 } from "./1763950000000-Water";

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations = [Foundation1763900000000, Conversations1763910000000, ConversationService1763925000000, Water1763950000000];
