/** One tab: key, label, link and an optional count. */
export interface TabItem {
  key: string;
  label: string;
  href: string;
  count?: number | null;
}

/** Props of {@linkcode Tabs}. */
export interface TabsProps {
  items: readonly TabItem[];
  active: string;
}

/** Tabs as links (each tab is its own URL, so it works without JavaScript). */
export function Tabs({ items, active }: TabsProps) {
  return (
    <nav class="tabs" aria-label="Sections">
      {items.map((item) => (
        <a
          key={item.key}
          href={item.href}
          class={item.key === active ? "on" : undefined}
          aria-current={item.key === active ? "page" : undefined}
          data-tab={item.key}
        >
          {item.label}
          {item.count !== undefined && item.count !== null && (
            <span class="n">{item.count.toLocaleString("en-US")}</span>
          )}
        </a>
      ))}
    </nav>
  );
}
