using System.Text;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;

namespace Platform.Webhook.Tests.Admission;

public sealed class AdmissionFallbackTests
{
    [Theory]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","request":{"uid":"abc","object":{"metadata":{"uid":"pod"}}}}""", "abc")]
    [InlineData("""{"request":{"object":{"uid":"nested-not-this"},"uid":"after-object"}}""", "after-object")]
    [InlineData("""{"response":{"uid":"no"},"request":{"kind":{},"uid":"second"}}""", "second")]
    [InlineData("""{"request":{"uid":42}}""", null)]
    [InlineData("""{"request":{}}""", null)]
    [InlineData("""{"uid":"top-level-is-not-request-uid"}""", null)]
    [InlineData("""[1,2]""", null)]
    [InlineData("""not json""", null)]
    [InlineData("""{"request":{"uid":"abc" """, "abc")]
    public void FindUid_Body_UidOfTheRequestOnly(string body, string? expected)
    {
        Assert.Equal(expected, AdmissionFallback.FindUid(Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Response_AllowedOrDenied_AdmissionReviewV1EchoingUid(bool allowed)
    {
        var review = JsonNode.Parse(AdmissionFallback.Response("u-1\"quoted", allowed, "internal error"))!;

        Assert.Equal("admission.k8s.io/v1", (string?)review["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)review["kind"]);
        Assert.Equal("u-1\"quoted", (string?)review["response"]!["uid"]);
        Assert.Equal(allowed, (bool)review["response"]!["allowed"]!);
        if (allowed)
        {
            Assert.Equal("internal error", (string?)review["response"]!["warnings"]![0]);
        }
        else
        {
            Assert.Equal(500, (int)review["response"]!["status"]!["code"]!);
        }
    }
}
