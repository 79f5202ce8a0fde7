// Starts GraphiQL on /graphql. Everything it loads comes from this server (see index.html);
// the page's Content-Security-Policy forbids any other host.
//
// The page introspects the schema itself and hands the result to GraphiQL: GraphiQL's own
// introspection query nests type references 15 levels deep, past the service's depth limit
// (graph.DefaultLimits.MaxDepth), while this schema wraps a type at most three times
// ([T!]!), so four levels of ofType are enough.
'use strict';
(() => {
  const typeRef = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
  const inputValue = `name description type { ${typeRef} } defaultValue`;
  const introspection = `query GraphiQLIntrospection {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types {
      kind name description
      fields(includeDeprecated: true) { name description args { ${inputValue} } type { ${typeRef} } isDeprecated deprecationReason }
      inputFields { ${inputValue} }
      interfaces { ${typeRef} }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ${typeRef} }
    }
    directives { name description locations args { ${inputValue} } }
  }
}`;
  const defaultQuery = `# The demo data (make run): one customer's applications by phone.
{
  applications(phone: "0988123456") {
    seqNo
    status
    stepBreakPoint { lastCompletedStep { number name } }
  }
}
`;
  const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  const render = (schema) => {
    ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, {
      fetcher, defaultQuery, schema, shouldPersistHeaders: false,
    }));
  };
  fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: introspection, operationName: 'GraphiQLIntrospection' }),
  }).then((r) => r.json()).then((r) => render(r.data || null), () => render(null));
})();
