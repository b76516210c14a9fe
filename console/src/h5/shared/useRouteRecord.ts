import { ref, watch, type Ref, type WatchSource } from "vue";

/**
 * Loads the record the route names (an application, a ticket, a quote), again whenever the route's params
 * change. `failure` says why it could not be loaded, in words the page shows; an answer for params the
 * page has already left is dropped.
 */
export function useRouteRecord<Key, Loaded, Failure = string>(
  key: WatchSource<Key>,
  load: (key: Key) => Promise<Loaded>,
  failed: (error: unknown) => Failure,
): { record: Ref<Loaded | null>; failure: Ref<Failure | null> } {
  const record = ref(null) as Ref<Loaded | null>;
  const failure = ref(null) as Ref<Failure | null>;
  let latest = 0;
  watch(
    key,
    async (value) => {
      const request = ++latest;
      record.value = null;
      failure.value = null;
      try {
        const loaded = await load(value);
        if (request === latest) record.value = loaded;
      } catch (error) {
        if (request === latest) failure.value = failed(error);
      }
    },
    { immediate: true },
  );
  return { record, failure };
}
