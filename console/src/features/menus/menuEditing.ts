import type { Menu, MenuButton, MenuLeaf, MenuParent } from "../../api/menus";

/** A top-level button while editing: a leaf, or a parent of sub buttons. */
export type EditorButton = MenuButton;

export function isParent(button: MenuButton | MenuLeaf): button is MenuParent {
  return Array.isArray((button as MenuParent).sub_button);
}

/** UTF-8 bytes, as WeChat counts menu names (a CJK character is 3). */
export function byteLength(text: string | undefined): number {
  return new TextEncoder().encode((text ?? "").trim()).length;
}

/** A deep copy the editor may change freely. */
export function cloneMenu(menu: Menu): EditorButton[] {
  return JSON.parse(JSON.stringify(menu.button)) as EditorButton[];
}
