/** Great-circle distances for "outlets near me" (haversine on a spherical Earth; metres, good to ~0.5 %). */

const EARTH_RADIUS_M = 6_371_008.8;

export interface LatLng {
  latitude: number;
  longitude: number;
}

export function distanceMeters(a: LatLng, b: LatLng): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Nearest first when the fan's position is known (ties by name), otherwise by name in Chinese collation;
 * each item gets its distance in whole metres (null without a position).
 */
export function sortByDistance<T extends LatLng & { name: string }>(items: T[], from: LatLng | null): (T & { distanceMeters: number | null })[] {
  const byName = new Intl.Collator("zh-CN");
  const measured = items.map((item) => ({ ...item, distanceMeters: from ? Math.round(distanceMeters(from, item)) : null }));
  return measured.sort((a, b) => (a.distanceMeters ?? 0) - (b.distanceMeters ?? 0) || byName.compare(a.name, b.name));
}

/** "850 米" / "1.2 公里" */
export function distanceLabel(meters: number): string {
  return meters < 1000 ? `${meters} 米` : `${(meters / 1000).toFixed(1)} 公里`;
}
