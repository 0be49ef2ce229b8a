/**
 * nbkeras's JupyterLab MIME renderers: live training, History and model views.
 *
 * The kernel always sends a PNG and/or text/plain beside these JSON types, so frontends
 * without this extension (classic Notebook, VS Code, nbconvert, GitHub) show those instead.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { ModelRenderer } from './model';
import { HISTORY_MIME, MODEL_MIME, TRAINING_MIME } from './payload';
import { TrainingRenderer } from './training';

// rank 0: preferred over the HTML, PNG and text fallbacks in the same bundle
const extensions: IRenderMime.IExtension[] = [
  {
    id: 'nbkeras:training',
    description: 'Live training progress and curves drawn from data streamed by the kernel.',
    rendererFactory: {
      safe: true,
      mimeTypes: [TRAINING_MIME, HISTORY_MIME],
      createRenderer: options => new TrainingRenderer(options)
    },
    rank: 0,
    dataType: 'json'
  },
  {
    id: 'nbkeras:model',
    description: 'An interactive model summary beside its layer graph.',
    rendererFactory: {
      safe: true,
      mimeTypes: [MODEL_MIME],
      createRenderer: options => new ModelRenderer(options)
    },
    rank: 0,
    dataType: 'json'
  }
];

export default extensions;
