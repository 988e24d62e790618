/** How --models reads a list; printed in the command's help. */
export const MODEL_LIST_HELP =
  'models, comma-separated (default: all). A model is name or name:key=value; a segment with ' +
  '"=" but no ":" is one more parameter of the model before it, so ' +
  '"holt:alpha=0.5,beta=0.2,naive" is two models. Spaces and ";" also separate models';
