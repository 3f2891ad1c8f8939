using System;

namespace Devian.Network.Transports
{
    /// <summary>How a connection authenticates (seed 002), applied on every connect and reconnect.</summary>
    public enum WebSocketAuthenticationMethod
    {
        /// <summary>No authentication.</summary>
        None = 0,
        /// <summary>The token is appended to the URL's query string as <c>name=token</c>.</summary>
        QueryParameter = 1,
        /// <summary>The first message after every (re)connect is a text message rendered from a template containing <c>{{token}}</c>.</summary>
        FirstMessage = 2,
        /// <summary>The token is offered as an extra sub-protocol (the browser-compatible way).</summary>
        SubProtocol = 3,
        /// <summary>The token is sent as a request header (not available in browsers).</summary>
        Header = 4,
    }

    /// <summary>An authentication method and its parameters. Create one with the static factories.</summary>
    public sealed class WebSocketAuthentication
    {
        private WebSocketAuthentication(WebSocketAuthenticationMethod method, string name, string value, string template, string messageType)
        {
            Method = method;
            Name = name;
            Value = value;
            Template = template;
            MessageType = messageType;
        }

        /// <summary>No authentication.</summary>
        public static readonly WebSocketAuthentication None =
            new WebSocketAuthentication(WebSocketAuthenticationMethod.None, null, null, null, null);

        /// <summary>Sends <paramref name="token"/> as the query parameter <paramref name="name"/>.</summary>
        public static WebSocketAuthentication QueryParameter(string name, string token)
        {
            return new WebSocketAuthentication(WebSocketAuthenticationMethod.QueryParameter, Required(name, "name"), Required(token, "token"), null, null);
        }

        /// <summary>
        /// Sends a text message rendered from <paramref name="template"/> first after every (re)connect,
        /// before any queued message: <c>{{token}}</c> is replaced by <paramref name="token"/> and
        /// <c>{{type}}</c> by <paramref name="messageType"/>, for example
        /// <c>{"type":"{{type}}","token":"{{token}}"}</c>.
        /// </summary>
        public static WebSocketAuthentication FirstMessage(string template, string token, string messageType = "auth")
        {
            return new WebSocketAuthentication(WebSocketAuthenticationMethod.FirstMessage, null, Required(token, "token"), Required(template, "template"), messageType ?? string.Empty);
        }

        /// <summary>Offers <paramref name="token"/> as an additional sub-protocol.</summary>
        public static WebSocketAuthentication SubProtocol(string token)
        {
            return new WebSocketAuthentication(WebSocketAuthenticationMethod.SubProtocol, null, Required(token, "token"), null, null);
        }

        /// <summary>Sends the request header <paramref name="name"/>: <paramref name="value"/> (for example <c>Authorization: Bearer ...</c>).</summary>
        public static WebSocketAuthentication Header(string name, string value)
        {
            return new WebSocketAuthentication(WebSocketAuthenticationMethod.Header, Required(name, "name"), Required(value, "value"), null, null);
        }

        /// <summary>The method.</summary>
        public WebSocketAuthenticationMethod Method { get; }
        /// <summary>Query parameter or header name.</summary>
        public string Name { get; }
        /// <summary>The token or header value.</summary>
        public string Value { get; }
        /// <summary>First-message template.</summary>
        public string Template { get; }
        /// <summary>The value substituted for <c>{{type}}</c> in the first-message template.</summary>
        public string MessageType { get; }

        private static string Required(string value, string paramName)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("must not be null or empty", paramName);
            }
            return value;
        }
    }
}
