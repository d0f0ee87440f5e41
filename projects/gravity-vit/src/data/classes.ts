// The Gravity Spy label set (Zenodo record 1476551, "Updated Gravity Spy Data Set") and the file's layout:
// /<label>/<sample_type>/<gravityspy_id>/<duration>.png, each view a (1, 140, 170) grey image.

/** The 22 classes, in the order of the class indices. */
export const GRAVITY_SPY_CLASSES = [
  '1080Lines',
  '1400Ripples',
  'Air_Compressor',
  'Blip',
  'Chirp',
  'Extremely_Loud',
  'Helix',
  'Koi_Fish',
  'Light_Modulation',
  'Low_Frequency_Burst',
  'Low_Frequency_Lines',
  'No_Glitch',
  'None_of_the_Above',
  'Paired_Doves',
  'Power_Line',
  'Repeating_Blips',
  'Scattered_Light',
  'Scratchy',
  'Tomte',
  'Violin_Mode',
  'Wandering_Line',
  'Whistle',
] as const;
export type GravitySpyClass = (typeof GRAVITY_SPY_CLASSES)[number];

/** The four time windows (seconds), as written in the dataset names (`0.5.png` ...). */
export const DURATIONS = ['0.5', '1.0', '2.0', '4.0'] as const;
export type Duration = (typeof DURATIONS)[number];

/** The `sample_type` groups of the file. */
export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Height and width of one stored view. */
export const VIEW_HEIGHT = 140;
export const VIEW_WIDTH = 170;

export function classIndex(label: string): number {
  return (GRAVITY_SPY_CLASSES as readonly string[]).indexOf(label);
}

/** The dataset name of a view inside a sample's group. */
export function viewName(duration: Duration): string {
  return `${duration}.png`;
}

export function isDuration(value: string): value is Duration {
  return (DURATIONS as readonly string[]).includes(value);
}
