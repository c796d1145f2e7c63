import { spin } from '../../../../test/utils/event-loop-turns';
import { TurnBudget } from './turn-budget';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBudget', () => {
  it('overruns once a turn has run for the slice, and starts afresh in the next turn', async () => {
    // A generous slice: a preempted test process must not overrun it by accident.
    const budget = new TurnBudget(50);
    expect(budget.overrun()).toBe(false); // the turn's first chunk opens it
    spin(1);
    expect(budget.overrun()).toBe(false);
    spin(50);
    expect(budget.overrun()).toBe(true);
    expect(budget.overrun()).toBe(true);
    await nextTurn();
    expect(budget.overrun()).toBe(false);
  });
});
