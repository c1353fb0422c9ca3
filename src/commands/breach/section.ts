import type { Section, Styled } from '../../outcome.js';

/**
 * A breach as a section of a document (the renderer lays it out): its title, its date and
 * status on the same line, what it exposed, what happened and the next steps.
 */
export function breachSection(b: {
  title: string;
  date: string;
  categories: string[];
  description?: string | undefined;
  nextSteps?: string[] | undefined;
  status: Styled;
}): Section {
  return {
    heading: b.title,
    status: [{ tone: 'dim', text: b.date }, b.status],
    pairs: b.categories.length ? [{ label: 'Exposed', value: b.categories.join(', ') }] : [],
    paragraphs: b.description ? [b.description] : [],
    lists: b.nextSteps?.length ? [{ label: 'Next steps', items: b.nextSteps }] : [],
  };
}
