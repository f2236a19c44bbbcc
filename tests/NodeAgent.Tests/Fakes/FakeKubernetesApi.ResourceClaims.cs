using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Platform.NodeAgent.Tests.Fakes;

/// <summary>resource.k8s.io/v1 ResourceClaims: stored as JSON objects, served on GET, every read recorded.</summary>
internal sealed partial class FakeKubernetesApi
{
    private readonly Dictionary<(string Namespace, string Name), JsonObject> _claims = [];

    public Channel<ApiRequest> ClaimReads { get; } = Channel.CreateUnbounded<ApiRequest>();

    /// <summary>Stores a claim with the given uid, allocated to (request, driver, pool, device) results; null results: not allocated.</summary>
    public void PutClaim(string @namespace, string name, string uid, params (string Request, string Driver, string Pool, string Device)[]? results)
    {
        var claim = new JsonObject
        {
            ["apiVersion"] = "resource.k8s.io/v1",
            ["kind"] = "ResourceClaim",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace, ["uid"] = uid, ["resourceVersion"] = "7" },
            ["spec"] = new JsonObject { ["devices"] = new JsonObject { ["requests"] = new JsonArray() } },
            ["status"] = new JsonObject(),
        };
        if (results is not null)
        {
            var array = new JsonArray();
            foreach (var (request, driver, pool, device) in results)
            {
                array.Add(new JsonObject { ["request"] = request, ["driver"] = driver, ["pool"] = pool, ["device"] = device });
            }

            claim["status"]!["allocation"] = new JsonObject
            {
                ["devices"] = new JsonObject { ["results"] = array, ["config"] = new JsonArray() },
                ["nodeSelector"] = new JsonObject(),
            };
        }

        lock (_gate)
        {
            _claims[(@namespace, name)] = claim;
        }
    }

    public void DeleteClaim(string @namespace, string name)
    {
        lock (_gate)
        {
            _claims.Remove((@namespace, name));
        }
    }

    private async Task<bool> TryHandleResourceClaimAsync(HttpContext context, ApiRequest request, string[] segments)
    {
        if (request.Method != "GET" || segments is not ["apis", "resource.k8s.io", "v1", "namespaces", var ns, "resourceclaims", var name])
        {
            return false;
        }

        ClaimReads.Writer.TryWrite(request);
        string? json;
        lock (_gate)
        {
            json = _claims.TryGetValue((ns, name), out var claim) ? claim.ToJsonString() : null;
        }

        await Reply(context, json is null ? 404 : 200, json ?? """{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}""");
        return true;
    }
}
