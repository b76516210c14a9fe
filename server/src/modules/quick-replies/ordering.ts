/** Where a row moves among its siblings. */
export type MoveTo = "top" | "up" | "down" | "bottom";

/** The sibling ids after moving `id` (ids in their current order); unchanged when it cannot move that way. */
export function reorder(ids: string[], id: string, to: MoveTo): string[] {
  const from = ids.indexOf(id);
  if (from < 0) return ids;
  const rest = ids.filter((other) => other !== id);
  const target = to === "top" ? 0 : to === "bottom" ? rest.length : to === "up" ? Math.max(0, from - 1) : Math.min(rest.length, from + 1);
  return [...rest.slice(0, target), id, ...rest.slice(target)];
}
