import { useModal } from '../useModal.ts';
import { useLayoutEffect, useMemo, useRef } from 'react';
import { stepName, versionDiff, type DraftJourney, type DraftNode } from '../model/index.ts';

/** A journey field in a marketer's words. */
const SETTING_WORDS: Record<string, string> = {
  trigger: 'the entry (event or condition)',
  start: 'the first step',
  exitWhen: 'the exit rules',
  reentry: 're-entry',
  name: 'the name',
  description: 'the description',
};

function Steps({ title, nodes, kind }: { title: string; nodes: DraftNode[]; kind: string }) {
  if (nodes.length === 0) return null;
  return (
    <section data-testid={`publish-${kind}`}>
      <h3>
        {title} ({nodes.length})
      </h3>
      <ul>
        {nodes.map((n) => (
          <li key={n.id}>{stepName(n, n.id)}</li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The review before Publish: what the draft changes against the published version (steps added, removed
 * and changed, and the journey's settings), then Publish or go back to editing. When contacts wait in the
 * published version, the migration step stands in for it (MigrationStep.tsx).
 */
export function PublishChanges({
  published,
  draft,
  version,
  onPublish,
  onCancel,
}: {
  published: DraftJourney;
  draft: DraftJourney;
  /** The version Publish will make. */
  version: number;
  onPublish: () => void;
  onCancel: () => void;
}) {
  const diff = useMemo(() => versionDiff(published, draft), [published, draft]);
  const confirm = useRef<HTMLButtonElement>(null);
  const box = useModal<HTMLDivElement>(onCancel);
  // Before the paint: a second Enter on Publish, pressed as the dialog shows, is the dialog's.
  useLayoutEffect(() => confirm.current?.focus(), []);
  return (
    <div className="modal-backdrop">
      <div
        className="modal publish-changes"
        role="dialog"
        aria-modal="true"
        aria-labelledby="publish-changes-title"
        ref={box}
      >
        <h2 id="publish-changes-title">Publish version {version}?</h2>
        <p className="muted">
          New contacts enter version {version}; contacts already in the journey stay on the version they are in. What
          changes since version {version - 1}:
        </p>
        {diff.same && <p data-testid="publish-same">Nothing that contacts would see (only the layout).</p>}
        <Steps title="Steps added" nodes={diff.added} kind="added" />
        <Steps title="Steps removed" nodes={diff.removed} kind="removed" />
        <Steps title="Steps changed" nodes={diff.changed} kind="changed" />
        {diff.settings.length > 0 && (
          <section data-testid="publish-settings">
            <h3>Journey settings changed</h3>
            <ul>
              {diff.settings.map((k) => (
                <li key={k}>{SETTING_WORDS[k] ?? k}</li>
              ))}
            </ul>
          </section>
        )}
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Keep editing
          </button>
          <button type="button" className="primary" ref={confirm} onClick={onPublish}>
            Publish version {version}
          </button>
        </div>
      </div>
    </div>
  );
}
