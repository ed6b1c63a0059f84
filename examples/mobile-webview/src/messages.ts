export type Locale = 'da' | 'en';

/** Texts of the static page, by the key its elements name in data-i18n. */
export type StaticText =
  | 'signedInAs'
  | 'switchLanguage'
  | 'totalBalance'
  | 'quickActions'
  | 'accounts'
  | 'carLoanCalculator'
  | 'carLoanAction'
  | 'pension'
  | 'savings'
  | 'back'
  | 'carPrice'
  | 'downPayment'
  | 'years'
  | 'calculate'
  | 'consentTitle'
  | 'consentBody'
  | 'consentNoEmail'
  | 'consentAccept'
  | 'consentDecline'
  | 'consentChange'
  | 'privacy'
  | 'demoNotice';

export interface Messages {
  readonly text: Readonly<Record<StaticText, string>>;
  readonly greeting: (firstName: string) => string;
  readonly accountKinds: Readonly<Record<'checking' | 'budget' | 'savings', string>>;
  readonly yearsOption: (years: number) => string;
  readonly demoRate: (rate: string) => string;
  readonly monthly: (amount: string) => string;
  readonly loanSummary: (amount: string, years: number) => string;
  readonly invalidPrice: string;
  readonly invalidDownPayment: string;
  readonly consentStatus: (choice: 'granted' | 'denied' | null) => string;
  readonly applyStarted: string;
  readonly loginFailed: string;
  readonly products: Readonly<Record<'pension' | 'savings', { title: string; intro: string; apply: string }>>;
}

export const MESSAGES: Readonly<Record<Locale, Messages>> = {
  da: {
    text: {
      signedInAs: 'Logget ind som',
      switchLanguage: 'English',
      totalBalance: 'Samlet saldo',
      quickActions: 'Genveje',
      accounts: 'Konti',
      carLoanCalculator: 'Billånsberegner',
      carLoanAction: 'Beregn billån',
      pension: 'Pension',
      savings: 'Opsparing',
      back: 'Tilbage',
      carPrice: 'Bilens pris (kr.)',
      downPayment: 'Udbetaling (kr.)',
      years: 'Løbetid',
      calculate: 'Beregn',
      consentTitle: 'Personlige tilbud i appen',
      consentBody:
        'Må vi bruge, hvad du ser på og regner på i appen og netbanken, til at vise dig relevante tilbud her?',
      consentNoEmail: 'Vi sender aldrig tilbud på e-mail. Du kan altid ændre dit valg nederst i appen.',
      consentAccept: 'Accepter personalisering',
      consentDecline: 'Afvis',
      consentChange: 'Skift dit valg',
      privacy: 'Privatliv og personalisering',
      demoNotice: 'En demonstration af Touchpoint. Alle kunder, konti og beløb er opdigtede.',
    },
    greeting: (firstName) => `Hej ${firstName}`,
    accountKinds: { checking: 'Lønkonto', budget: 'Budgetkonto', savings: 'Opsparingskonto' },
    yearsOption: (years) => `${years} år`,
    demoRate: (rate) => `Fast demorente ${rate} % p.a.`,
    monthly: (amount) => `${amount} pr. md.`,
    loanSummary: (amount, years) => `Lån på ${amount} over ${years} år`,
    invalidPrice: 'Indtast bilens pris.',
    invalidDownPayment: 'Udbetalingen skal være mindre end prisen.',
    consentStatus: (choice) =>
      choice === 'granted'
        ? 'Personlige tilbud: til'
        : choice === 'denied'
          ? 'Personlige tilbud: fra'
          : 'Personlige tilbud: ikke valgt',
    applyStarted: 'Din ansøgning er påbegyndt. Du kan fortsætte den, når du er klar.',
    loginFailed: 'Kunden kunne ikke logges ind. Prøv igen.',
    products: {
      pension: {
        title: 'Din pension',
        intro: 'Se, hvad din opsparing kan blive til, og bestil et gratis pensionstjek hos en rådgiver.',
        apply: 'Bestil pensionstjek',
      },
      savings: {
        title: 'Opsparing',
        intro: 'Spar op hver måned med automatisk overførsel – og fri adgang til dine penge.',
        apply: 'Opret opsparingskonto',
      },
    },
  },
  en: {
    text: {
      signedInAs: 'Signed in as',
      switchLanguage: 'Dansk',
      totalBalance: 'Total balance',
      quickActions: 'Shortcuts',
      accounts: 'Accounts',
      carLoanCalculator: 'Car loan calculator',
      carLoanAction: 'Car loan calculator',
      pension: 'Pension',
      savings: 'Savings',
      back: 'Back',
      carPrice: 'Price of the car (DKK)',
      downPayment: 'Down payment (DKK)',
      years: 'Term',
      calculate: 'Calculate',
      consentTitle: 'Personal offers in the app',
      consentBody:
        'May we use what you look at and calculate in the app and the net bank to show you relevant offers here?',
      consentNoEmail: 'We never send offers by email. You can change your choice at any time at the bottom of the app.',
      consentAccept: 'Accept personalisation',
      consentDecline: 'Decline',
      consentChange: 'Change your choice',
      privacy: 'Privacy and personalisation',
      demoNotice: 'A demonstration of Touchpoint. All customers, accounts and amounts are invented.',
    },
    greeting: (firstName) => `Hi ${firstName}`,
    accountKinds: { checking: 'Current account', budget: 'Budget account', savings: 'Savings account' },
    yearsOption: (years) => `${years} ${years === 1 ? 'year' : 'years'}`,
    demoRate: (rate) => `Fixed demo rate ${rate} % a year`,
    monthly: (amount) => `${amount} a month`,
    loanSummary: (amount, years) => `A loan of ${amount} over ${years} ${years === 1 ? 'year' : 'years'}`,
    invalidPrice: 'Enter the price of the car.',
    invalidDownPayment: 'The down payment must be less than the price.',
    consentStatus: (choice) =>
      choice === 'granted'
        ? 'Personal offers: on'
        : choice === 'denied'
          ? 'Personal offers: off'
          : 'Personal offers: not chosen',
    applyStarted: 'Your application has been started. You can continue it whenever you are ready.',
    loginFailed: 'The customer could not be signed in. Please try again.',
    products: {
      pension: {
        title: 'Your pension',
        intro: 'See what your savings could grow to, and book a free pension check-up with an adviser.',
        apply: 'Book a pension check-up',
      },
      savings: {
        title: 'Savings',
        intro: 'Save every month with an automatic transfer – with free access to your money.',
        apply: 'Open a savings account',
      },
    },
  },
};
