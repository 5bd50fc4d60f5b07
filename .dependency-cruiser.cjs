// The layers of docs/ARCHITECTURE.md as rules: a layer imports only layers below it (type-only imports
// included), and nothing imports in a circle. `pnpm lint` runs it; Biome's noImportCycles covers the
// designer's .tsx files, which this parser (swc, as TypeScript 7 has no compiler API) does not read.

/** The engine's folders, lowest first. A folder may import its own layer and every one before it. */
const ENGINE_LAYERS = [
  ['model'],
  ['conditions', 'team'],
  ['scores'],
  ['nodes', 'routing'],
  ['validate', 'state'],
  ['compile'],
  ['step'],
  ['handoff', 'reports'],
  ['store'],
  ['runtime'],
  ['sim'],
  ['embed'],
];

/** The server's folders, lowest first. */
const SERVER_LAYERS = [['ops'], ['stores'], ['server'], ['webhooks', 'live'], ['app'], ['host'], ['cli']];

const alt = (names) => `(${names.join('|')})`;

/** One rule per layer: nothing in it may import a folder of a higher layer. */
function layerRules(pkg, layers) {
  return layers.slice(0, -1).map((layer, i) => {
    const higher = layers.slice(i + 1).flat();
    return {
      name: `${pkg}-layer-${layer.join('-')}`,
      comment: `${pkg}: ${layer.join(', ')} may not import ${higher.join(', ')} (layers only point down; see docs/ARCHITECTURE.md)`,
      severity: 'error',
      from: { path: `^packages/${pkg}/src/${alt(layer)}/` },
      to: { path: `^packages/${pkg}/src/${alt(higher)}/` },
    };
  });
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles, type-only imports included: move the shared piece down',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules('engine', ENGINE_LAYERS),
    ...layerRules('server', SERVER_LAYERS),
    {
      name: 'engine-pure',
      comment: 'the engine does no IO: it runs in Node and in the browser',
      severity: 'error',
      from: { path: '^packages/engine/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'designer-model-is-plain',
      comment:
        "the designer model is plain TypeScript: it imports no React and no view; it reads the node-type registry (nodeTypes/), whose one file per type also holds that type's form (ARCHITECTURE.md, The designer)",
      severity: 'error',
      from: { path: '^packages/designer/src/model/' },
      to: { path: ['^packages/designer/src/(editor|inbox|reports|sim)/', 'node_modules/(react|react-dom|@xyflow)/'] },
    },
    {
      name: 'packages-through-exports',
      comment: 'a package imports another only through its package.json exports, never its src/',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/', pathNot: '^packages/$1/' },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: ['node_modules', '\\.tsx$'] },
    exclude: { path: ['node_modules', '\\.tsx$', '/dist/'] },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
