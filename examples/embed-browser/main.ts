// The widget: reads the form, runs the journey in the page, shows the story.
import { whatHappens } from './whatHappens.ts';

const form = document.querySelector<HTMLFormElement>('#contact')!;
const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const traits = {
    company: field('company'),
    employees: Number(field('employees')),
    title: field('title'),
    region: field('region'),
  };
  void whatHappens(traits, field('bookAfter') || undefined).then((story) => {
    document.querySelector('#outcome')!.textContent = story.outcome ?? 'still inside';
    document.querySelector('#path')!.textContent = `(${story.path.join(' → ')})`;
    const list = document.querySelector('#timeline')!;
    list.replaceChildren(
      ...story.timeline.map(({ at, what }) => {
        const item = document.createElement('li');
        const time = document.createElement('time');
        time.dateTime = at;
        time.textContent = at.replace('T', ' ').replace(':00Z', ' UTC');
        item.append(time, what);
        return item;
      }),
    );
    document.querySelector<HTMLElement>('#result')!.hidden = false;
  });
});
