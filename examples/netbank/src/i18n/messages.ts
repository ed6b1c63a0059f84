export type Locale = 'da' | 'en';

export type ProductId = 'car_loan' | 'mortgage' | 'pension' | 'savings' | 'home_insurance' | 'investments';

export interface ProductCopy {
  readonly name: string;
  readonly title: string;
  readonly intro: string;
  readonly features: readonly string[];
  readonly apply: string;
}

export interface Messages {
  readonly bankName: string;
  readonly skipToContent: string;
  readonly switchLanguage: string;
  readonly mainNavigation: string;
  readonly overview: string;
  readonly loggedInAs: (name: string) => string;
  readonly logOut: string;
  readonly loading: string;
  readonly login: {
    readonly title: string;
    readonly intro: string;
    readonly chooseCustomer: string;
    readonly logInAs: (name: string) => string;
    readonly productsHeld: string;
    readonly noProducts: string;
    readonly failed: string;
    readonly loadFailed: string;
  };
  readonly consent: {
    readonly title: string;
    readonly body: string;
    readonly noEmail: string;
    readonly accept: string;
    readonly decline: string;
    readonly status: (choice: 'granted' | 'denied' | null) => string;
    readonly change: string;
  };
  readonly footer: {
    readonly about: string;
    readonly privacy: string;
    readonly demoNotice: string;
  };
  readonly dashboard: {
    readonly greeting: (name: string) => string;
    readonly today: (date: string) => string;
    readonly offers: string;
    readonly accounts: string;
    readonly account: string;
    readonly number: string;
    readonly balance: string;
    readonly total: string;
    readonly accountKinds: Readonly<Record<'checking' | 'budget' | 'savings', string>>;
    readonly yourProducts: string;
    readonly noProducts: string;
    readonly explore: string;
  };
  readonly product: {
    readonly related: string;
    readonly applyStarted: string;
    readonly demoRate: (rate: string) => string;
  };
  readonly calculator: {
    readonly title: string;
    readonly calculate: string;
    readonly carPrice: string;
    readonly propertyPrice: string;
    readonly downPayment: string;
    readonly years: string;
    readonly yearsOption: (years: number) => string;
    readonly loanAmount: string;
    readonly monthlyPayment: string;
    readonly perMonth: (amount: string) => string;
    readonly loanSummary: (amount: string, years: number) => string;
    readonly downPaymentTooLarge: string;
    readonly downPaymentTooSmall: (percent: number) => string;
    readonly mustBePositive: string;
    readonly invalidAmount: string;
    readonly age: string;
    readonly retirementAge: string;
    readonly monthlyContribution: string;
    readonly retirementTooEarly: string;
    readonly pensionResult: (amount: string, years: number) => string;
    readonly pensionAssumption: (rate: string) => string;
  };
  readonly notFound: { readonly title: string; readonly body: string; readonly back: string };
  readonly products: Readonly<Record<ProductId, ProductCopy>>;
}

const da: Messages = {
  bankName: 'Demo Bank',
  skipToContent: 'Gå til indhold',
  switchLanguage: 'English',
  mainNavigation: 'Hovedmenu',
  overview: 'Oversigt',
  loggedInAs: (name) => `Logget ind som ${name}`,
  logOut: 'Log ud',
  loading: 'Henter …',
  login: {
    title: 'Log ind i netbanken',
    intro:
      'Dette er Demo Banks demonetbank. Vælg en af bankens demokunder for at logge ind – i en rigtig netbank ville du bruge MitID.',
    chooseCustomer: 'Vælg demokunde',
    logInAs: (name) => `Log ind som ${name}`,
    productsHeld: 'Har i forvejen',
    noProducts: 'Ingen produkter endnu',
    failed: 'Login mislykkedes. Prøv igen.',
    loadFailed: 'Demokunderne kunne ikke hentes. Genindlæs siden for at prøve igen.',
  },
  consent: {
    title: 'Personlige tilbud i netbanken',
    body: 'Må vi bruge dine besøg i netbanken – fx hvilke produkter du ser på og regner på – til at vise dig relevante tilbud her i netbanken?',
    noEmail: 'Vi sender aldrig tilbud på e-mail. Du kan altid ændre dit valg nederst på siden.',
    accept: 'Accepter personalisering',
    decline: 'Afvis',
    status: (choice) =>
      choice === 'granted'
        ? 'Personlige tilbud: til'
        : choice === 'denied'
          ? 'Personlige tilbud: fra'
          : 'Personlige tilbud: ikke valgt',
    change: 'Skift dit valg',
  },
  footer: {
    about: 'Demo Bank A/S · CVR 00000000 · Bankvej 1, 8000 Aarhus C',
    privacy: 'Privatliv og personalisering',
    demoNotice: 'En demonstration af Touchpoint. Alle kunder, konti og beløb er opdigtede.',
  },
  dashboard: {
    greeting: (name) => `Goddag, ${name}`,
    today: (date) => `I dag er det ${date}`,
    offers: 'Tilbud til dig',
    accounts: 'Dine konti',
    account: 'Konto',
    number: 'Kontonummer',
    balance: 'Saldo',
    total: 'I alt',
    accountKinds: { checking: 'Lønkonto', budget: 'Budgetkonto', savings: 'Opsparingskonto' },
    yourProducts: 'Dine produkter',
    noProducts: 'Du har ingen lån, pensioner eller forsikringer hos os endnu.',
    explore: 'Udforsk vores produkter',
  },
  product: {
    related: 'Relevant for dig',
    applyStarted: 'Din ansøgning er påbegyndt. Du kan fortsætte den, når du er klar.',
    demoRate: (rate) => `Fast demorente ${rate} % p.a.`,
  },
  calculator: {
    title: 'Beregn din pris',
    calculate: 'Beregn',
    carPrice: 'Bilens pris (kr.)',
    propertyPrice: 'Boligens pris (kr.)',
    downPayment: 'Udbetaling (kr.)',
    years: 'Løbetid',
    yearsOption: (years) => `${years} år`,
    loanAmount: 'Lånebeløb',
    monthlyPayment: 'Månedlig ydelse',
    perMonth: (amount) => `${amount} pr. md.`,
    loanSummary: (amount, years) => `Lån på ${amount} over ${years} år`,
    downPaymentTooLarge: 'Udbetalingen skal være mindre end prisen.',
    downPaymentTooSmall: (percent) => `Udbetalingen skal være mindst ${percent} % af prisen.`,
    mustBePositive: 'Indtast et beløb større end 0.',
    invalidAmount: 'Indtast et gyldigt beløb.',
    age: 'Din alder',
    retirementAge: 'Forventet pensionsalder',
    monthlyContribution: 'Månedlig indbetaling (kr.)',
    retirementTooEarly: 'Pensionsalderen skal være højere end din alder.',
    pensionResult: (amount, years) => `Om ${years} år kan din opsparing være cirka ${amount}.`,
    pensionAssumption: (rate) => `Beregnet med et fast demoafkast på ${rate} % om året, før skat.`,
  },
  notFound: {
    title: 'Siden findes ikke',
    body: 'Vi kunne ikke finde den side, du ledte efter.',
    back: 'Til oversigten',
  },
  products: {
    car_loan: {
      name: 'Billån',
      title: 'Billån med fast rente',
      intro:
        'Køb ny eller brugt bil med et billån fra Demo Bank. Du får svar samme dag og kender din ydelse fra start.',
      features: ['Fast rente i hele lånets løbetid', 'Lån op til 500.000 kr.', 'Ingen gebyr ved indfrielse før tid'],
      apply: 'Ansøg om billån',
    },
    mortgage: {
      name: 'Boliglån',
      title: 'Boliglån til dit næste hjem',
      intro: 'Få overblik over, hvad din drømmebolig koster om måneden, og tal med en rådgiver om finansieringen.',
      features: ['Realkredit og banklån samlet ét sted', 'Forhåndsgodkendelse på 24 timer', 'Personlig boligrådgiver'],
      apply: 'Ansøg om boliglån',
    },
    pension: {
      name: 'Pension',
      title: 'Pension, der passer til dit liv',
      intro: 'Se, hvad din opsparing kan blive til, og juster din indbetaling, så du får den pension, du ønsker.',
      features: [
        'Samlet overblik over alle dine pensioner',
        'Investering efter din alder og risiko',
        'Gratis pensionstjek',
      ],
      apply: 'Bestil pensionstjek',
    },
    savings: {
      name: 'Opsparing',
      title: 'Opsparing med mening',
      intro: 'Spar op til det, der betyder noget for dig – med automatisk overførsel hver måned.',
      features: ['Konkurrencedygtig rente', 'Automatisk månedlig opsparing', 'Fri adgang til dine penge'],
      apply: 'Opret opsparingskonto',
    },
    home_insurance: {
      name: 'Husforsikring',
      title: 'Husforsikring med tryghed',
      intro: 'Beskyt dit hus mod skader fra vejr, vand og brand – og få hjælp døgnet rundt, når uheldet er ude.',
      features: ['Døgnåben skadeservice', 'Dækning af svamp og insekter', 'Rabat når du samler dine forsikringer'],
      apply: 'Få et tilbud',
    },
    investments: {
      name: 'Investering',
      title: 'Investér i din fremtid',
      intro: 'Få dine penge til at arbejde – selv eller med hjælp fra vores puljer og rådgivere.',
      features: ['Investering fra 100 kr. om måneden', 'Færdige puljer efter risiko', 'Aktiesparekonto med lav skat'],
      apply: 'Kom i gang med at investere',
    },
  },
};

const en: Messages = {
  bankName: 'Demo Bank',
  skipToContent: 'Skip to content',
  switchLanguage: 'Dansk',
  mainNavigation: 'Main menu',
  overview: 'Overview',
  loggedInAs: (name) => `Logged in as ${name}`,
  logOut: 'Log out',
  loading: 'Loading …',
  login: {
    title: 'Log in to the net bank',
    intro:
      'This is Demo Bank’s demo net bank. Choose one of the bank’s demo customers to log in – a real net bank would use MitID.',
    chooseCustomer: 'Choose a demo customer',
    logInAs: (name) => `Log in as ${name}`,
    productsHeld: 'Already has',
    noProducts: 'No products yet',
    failed: 'The login failed. Please try again.',
    loadFailed: 'The demo customers could not be loaded. Reload the page to try again.',
  },
  consent: {
    title: 'Personal offers in the net bank',
    body: 'May we use your visits to the net bank – such as which products you look at and calculate – to show you relevant offers here in the net bank?',
    noEmail: 'We never send offers by email. You can change your choice at any time at the bottom of the page.',
    accept: 'Accept personalisation',
    decline: 'Decline',
    status: (choice) =>
      choice === 'granted'
        ? 'Personal offers: on'
        : choice === 'denied'
          ? 'Personal offers: off'
          : 'Personal offers: not chosen',
    change: 'Change your choice',
  },
  footer: {
    about: 'Demo Bank A/S · CVR 00000000 · Bankvej 1, 8000 Aarhus C, Denmark',
    privacy: 'Privacy and personalisation',
    demoNotice: 'A demonstration of Touchpoint. All customers, accounts and amounts are invented.',
  },
  dashboard: {
    greeting: (name) => `Hello, ${name}`,
    today: (date) => `Today is ${date}`,
    offers: 'Offers for you',
    accounts: 'Your accounts',
    account: 'Account',
    number: 'Account number',
    balance: 'Balance',
    total: 'Total',
    accountKinds: { checking: 'Current account', budget: 'Budget account', savings: 'Savings account' },
    yourProducts: 'Your products',
    noProducts: 'You have no loans, pensions or insurance with us yet.',
    explore: 'Explore our products',
  },
  product: {
    related: 'Relevant for you',
    applyStarted: 'Your application has been started. You can continue it whenever you are ready.',
    demoRate: (rate) => `Fixed demo rate ${rate} % a year`,
  },
  calculator: {
    title: 'Calculate your price',
    calculate: 'Calculate',
    carPrice: 'Price of the car (DKK)',
    propertyPrice: 'Price of the home (DKK)',
    downPayment: 'Down payment (DKK)',
    years: 'Term',
    yearsOption: (years) => `${years} ${years === 1 ? 'year' : 'years'}`,
    loanAmount: 'Loan amount',
    monthlyPayment: 'Monthly payment',
    perMonth: (amount) => `${amount} a month`,
    loanSummary: (amount, years) => `A loan of ${amount} over ${years} ${years === 1 ? 'year' : 'years'}`,
    downPaymentTooLarge: 'The down payment must be less than the price.',
    downPaymentTooSmall: (percent) => `The down payment must be at least ${percent} % of the price.`,
    mustBePositive: 'Enter an amount greater than 0.',
    invalidAmount: 'Enter a valid amount.',
    age: 'Your age',
    retirementAge: 'Expected retirement age',
    monthlyContribution: 'Monthly contribution (DKK)',
    retirementTooEarly: 'The retirement age must be higher than your age.',
    pensionResult: (amount, years) => `In ${years} years your savings could be about ${amount}.`,
    pensionAssumption: (rate) => `Calculated with a fixed demo return of ${rate} % a year, before tax.`,
  },
  notFound: {
    title: 'Page not found',
    body: 'We could not find the page you were looking for.',
    back: 'Go to the overview',
  },
  products: {
    car_loan: {
      name: 'Car loan',
      title: 'Car loan with a fixed rate',
      intro:
        'Buy a new or used car with a car loan from Demo Bank. You get an answer the same day and know your payment from the start.',
      features: ['Fixed rate for the whole term', 'Borrow up to DKK 500,000', 'No fee for early repayment'],
      apply: 'Apply for a car loan',
    },
    mortgage: {
      name: 'Mortgage',
      title: 'A mortgage for your next home',
      intro: 'See what your dream home costs a month, and talk to an adviser about the financing.',
      features: ['Mortgage credit and bank loan in one place', 'Pre-approval within 24 hours', 'Your own home adviser'],
      apply: 'Apply for a mortgage',
    },
    pension: {
      name: 'Pension',
      title: 'A pension that fits your life',
      intro: 'See what your savings could grow to, and adjust your contribution to get the pension you want.',
      features: ['One overview of all your pensions', 'Investments by your age and risk', 'Free pension check-up'],
      apply: 'Book a pension check-up',
    },
    savings: {
      name: 'Savings',
      title: 'Savings with a purpose',
      intro: 'Save for what matters to you – with an automatic transfer every month.',
      features: ['Competitive interest rate', 'Automatic monthly savings', 'Free access to your money'],
      apply: 'Open a savings account',
    },
    home_insurance: {
      name: 'Home insurance',
      title: 'Home insurance you can rely on',
      intro: 'Protect your house against damage from weather, water and fire – and get help around the clock.',
      features: [
        'Claims service around the clock',
        'Cover for rot and insects',
        'Discount when you bundle your insurance',
      ],
      apply: 'Get a quote',
    },
    investments: {
      name: 'Investments',
      title: 'Invest in your future',
      intro: 'Put your money to work – on your own or with help from our funds and advisers.',
      features: ['Invest from DKK 100 a month', 'Ready-made funds by risk', 'Share savings account with low tax'],
      apply: 'Start investing',
    },
  },
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = { da, en };
