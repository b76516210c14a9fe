import { Foundation1763900000000 } from "./1763900000000-Foundation";
import { Conversations1763910000000 } from "./1763910000000-Conversations";
import { ConversationService1763925000000 } from "./1763925000000-ConversationService";
import { Water1763950000000 } from "./1763950000000-Water";
import { MenusGuides1764000100000 } from "./1764000100000-MenusGuides";
import { ApplicationsComplaints1764000200000 } from "./1764000200000-ApplicationsComplaints";
import { Notices1764000000000 } from "./1764000000000-Notices";
import { Payments1764000300000 } from "./1764000300000-Payments";

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations = [Foundation1763900000000, Conversations1763910000000, ConversationService1763925000000, Water1763950000000, Notices1764000000000, MenusGuides1764000100000, ApplicationsComplaints1764000200000, Payments1764000300000];
