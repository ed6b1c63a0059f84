/** Monthly payment of an annuity loan: the same payment every month, interest charged monthly on what is left. */
export function monthlyPayment(principal: number, annualRatePercent: number, years: number): number {
  const months = years * 12;
  const monthlyRate = annualRatePercent / 100 / 12;
  if (monthlyRate === 0) return principal / months;
  return (principal * monthlyRate) / (1 - (1 + monthlyRate) ** -months);
}

/** What regular monthly savings grow to with a fixed yearly return, compounded monthly. */
export function savingsAtEnd(monthlyContribution: number, annualReturnPercent: number, years: number): number {
  const months = years * 12;
  const monthlyReturn = annualReturnPercent / 100 / 12;
  if (monthlyReturn === 0) return monthlyContribution * months;
  return monthlyContribution * (((1 + monthlyReturn) ** months - 1) / monthlyReturn);
}
