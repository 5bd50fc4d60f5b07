// Vite imports stylesheets for their side effect.
declare module '*.css';

// Vite's glob import (the only part of vite/client the designer uses): one lazy import per matching file.
interface ImportMeta {
  glob<T = unknown>(pattern: string, options: { import: 'default' }): Record<string, () => Promise<T>>;
}
