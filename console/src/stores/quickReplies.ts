import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { quickRepliesApi, type QuickReplyCategoryView, type QuickReplyInput, type QuickReplyLibrary, type QuickReplyScope } from "../api/quickReplies";
import type { MoveTo } from "../api/keywords";

/** Quick replies: the library (mine and the team's), shared by the chat panel and the management page. */
export const useQuickRepliesStore = defineStore("quickReplies", () => {
  const library = ref<QuickReplyLibrary>({ personal: [], team: [] });
  const loaded = ref(false);
  const loading = ref(false);

  const categories = computed<QuickReplyCategoryView[]>(() => [...library.value.personal, ...library.value.team]);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      library.value = await quickRepliesApi.list();
      loaded.value = true;
    } finally {
      loading.value = false;
    }
  }

  async function ensureLoaded(): Promise<void> {
    if (!loaded.value) await load();
  }

  /** Server-side search (title or content); the full library stays as is. */
  function search(q: string): Promise<QuickReplyLibrary> {
    return quickRepliesApi.list(q);
  }

  async function createCategory(scope: QuickReplyScope, name: string): Promise<void> {
    await quickRepliesApi.createCategory(scope, name);
    await load();
  }

  async function renameCategory(id: string, name: string): Promise<void> {
    await quickRepliesApi.renameCategory(id, name);
    await load();
  }

  async function deleteCategory(id: string): Promise<void> {
    await quickRepliesApi.deleteCategory(id);
    await load();
  }

  async function moveCategory(id: string, to: MoveTo): Promise<void> {
    library.value = await quickRepliesApi.moveCategory(id, to);
  }

  async function create(input: QuickReplyInput): Promise<void> {
    await quickRepliesApi.create(input);
    await load();
  }

  async function update(id: string, changes: Partial<QuickReplyInput>): Promise<void> {
    await quickRepliesApi.update(id, changes);
    await load();
  }

  async function remove(id: string): Promise<void> {
    await quickRepliesApi.remove(id);
    await load();
  }

  async function move(id: string, to: MoveTo): Promise<void> {
    const replies = await quickRepliesApi.move(id, to);
    const category = categories.value.find((c) => c.replies.some((r) => r.id === id));
    if (category) category.replies = replies;
  }

  return { library, categories, loaded, loading, load, ensureLoaded, search, createCategory, renameCategory, deleteCategory, moveCategory, create, update, remove, move };
});
